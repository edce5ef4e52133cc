/* collectord/decode.h */
