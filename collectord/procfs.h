/* collectord/procfs.h */
