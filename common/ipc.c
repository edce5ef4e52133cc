/* common/ipc.c: in progress */
