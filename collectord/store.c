/* collectord/store.c: in progress */
