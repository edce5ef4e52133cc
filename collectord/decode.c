/* collectord/decode.c: in progress */
