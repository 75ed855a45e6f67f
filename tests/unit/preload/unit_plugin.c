/*
 * A module for test_modmap to dlopen. Its one function gives the test an
 * address that no other module holds.
 */
int unit_plugin_answer(void);

int unit_plugin_answer(void)
{
	return 42;
}
