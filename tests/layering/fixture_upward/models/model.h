/* Fixture: a model's header. */
int meshrpr_model_up(void);
