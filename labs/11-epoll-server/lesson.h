/* labs/11-epoll-server/lesson.h — lab 11's step-by-step lesson. */
#ifndef LAB11_LESSON_H
#define LAB11_LESSON_H

/* The lab itself (every option but --serve): returns the exit status. */
int lab11_lesson(int argc, char **argv);

#endif
