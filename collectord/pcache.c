/* collectord/pcache.c: in progress */
