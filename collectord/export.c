/* collectord/export.c: in progress */
