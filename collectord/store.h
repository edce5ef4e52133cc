/* collectord/store.h */
