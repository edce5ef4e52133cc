/* common/config.c: in progress */
