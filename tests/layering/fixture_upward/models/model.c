/* Fixture: a model that writes the network layer's state. */
#include "models/model.h"

struct n {
    struct {
        int seq;
    } net;
};

int meshrpr_model_up(void)
{
    struct n s;
    struct n *node = &s;

    node->net.seq = 1;
    return node->net.seq;
}
