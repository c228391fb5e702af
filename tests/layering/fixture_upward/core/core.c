/* Fixture: a core file. */
int meshrpr_core_ok(void)
{
    return 0;
}
