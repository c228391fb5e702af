/* SPDX-License-Identifier: Apache-2.0 */
/* Placeholder until the implementation lands. */
typedef int meshrpr_placeholder_provisioner_t;
