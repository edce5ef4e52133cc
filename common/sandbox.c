/* common/sandbox.c: in progress */
