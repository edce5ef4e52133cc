/* collectord/procfs.c: in progress */
