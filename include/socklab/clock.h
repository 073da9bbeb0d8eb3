/* clock.h — the monotonic clock labs use to show how long a call waited. */
#ifndef SOCKLAB_CLOCK_H
#define SOCKLAB_CLOCK_H

/* Milliseconds on CLOCK_MONOTONIC: only differences mean anything. */
double sl_clock_ms(void);

/* Sleep for ms milliseconds, resuming after signal interruptions. */
void sl_sleep_ms(int ms);

#endif
