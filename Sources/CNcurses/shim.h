// ncursesw with wide-character support, and the few macros Swift cannot import.
#define _XOPEN_SOURCE_EXTENDED 1
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <poll.h>
#include <ncursesw/curses.h>

static inline int gc_color_pair(int n) { return (int)COLOR_PAIR(n); }
static inline int gc_attr_bold(void) { return (int)A_BOLD; }
static inline int gc_attr_reverse(void) { return (int)A_REVERSE; }
static inline int gc_attr_normal(void) { return (int)A_NORMAL; }
static inline unsigned long gc_button1_pressed(void) { return (unsigned long)BUTTON1_PRESSED; }
static inline unsigned long gc_button1_clicked(void) { return (unsigned long)BUTTON1_CLICKED; }
static inline unsigned long gc_all_mouse_events(void) { return (unsigned long)(BUTTON1_PRESSED | BUTTON1_CLICKED); }
// Globals ncurses owns; read through functions so Swift does not see shared mutable state.
static inline WINDOW *gc_stdscr(void) { return stdscr; }
static inline int gc_colors(void) { return COLORS; }
static inline int gc_color_pairs(void) { return COLOR_PAIRS; }
