/* collectord/sandbox_rules.c: in progress */
