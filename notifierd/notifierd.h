/* notifierd/notifierd.h */
