/* notifierd/sandbox_rules.c: in progress */
