/* SPDX-License-Identifier: MIT */
#ifndef NSB_HTML_H
#define NSB_HTML_H

#include <stdio.h>

/* Text from a file another job wrote, as HTML text: never markup. */
void html_esc(FILE *f, const char *s);

#endif
