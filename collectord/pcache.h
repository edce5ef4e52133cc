/* collectord/pcache.h */
