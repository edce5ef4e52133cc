/* collectord/collectord.h */
