/* common/ipc_msg.c: in progress */
