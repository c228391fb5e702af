// SPDX-License-Identifier: Apache-2.0
// C++17 use of the public API (test cxx_headers): the headers declare C functions a C++
// program calls directly. The model and element macros (BT_MESH_MODEL...) build compound
// literals, as Zephyr's do, so a composition is declared in a C file.
#include <meshrpr/cdb.h>
#include <meshrpr/mesh.h>
#include <meshrpr/sim.h>
#include <meshrpr/storage.h>
#include <meshrpr/version.h>

#include <cstdint>

static_assert(MESHRPR_VERSION == MESHRPR_VERSION_OF(MESHRPR_VERSION_MAJOR, MESHRPR_VERSION_MINOR,
                                                    MESHRPR_VERSION_PATCH),
              "version macros");

int main()
{
    NET_BUF_SIMPLE_DEFINE(buf, 8);
    net_buf_simple_add_le16(&buf, 0x0102);
    static meshrpr_sim sim;
    meshrpr_sim_init(&sim, 1);
    static meshrpr_node node;
    return meshrpr_version() == MESHRPR_VERSION && buf.len == 2 &&
                   !meshrpr_node_is_provisioned(&node)
               ? 0
               : 1;
}
