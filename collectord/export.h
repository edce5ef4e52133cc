/* collectord/export.h */
