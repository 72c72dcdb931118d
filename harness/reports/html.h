/* SPDX-License-Identifier: MIT */
#ifndef NSB_HTML_H
#define NSB_HTML_H

#include <stdio.h>

/* Text from a file another job wrote, as HTML text: never markup. */
void html_esc(FILE *f, const char *s);
/* S escaped, then AFTER as it is (the markup that follows: "</td><td>"). */
void html_esc_then(FILE *f, const char *s, const char *after);

#endif
