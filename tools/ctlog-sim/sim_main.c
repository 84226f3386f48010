/* placeholder until the program lands. */
int main(void);
int main(void) { return 1; }
