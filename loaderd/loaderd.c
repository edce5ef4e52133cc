/* loaderd/loaderd.c: in progress */
int main(void);
int main(void) { return 1; }
