/* Fixture: the network layer calling up into a model. */
#include "models/model.h"

int meshrpr_net_recv(void)
{
    return meshrpr_model_up();
}
