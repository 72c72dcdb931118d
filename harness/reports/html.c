// SPDX-License-Identifier: MIT
/* The report's HTML: text escaped. */
#include <stdio.h>

#include "harness/reports/html.h"

/* Text from a file another job wrote: never markup. */
void html_esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

void html_esc_then(FILE *f, const char *s, const char *after)
{
	html_esc(f, s);
	fputs(after, f);
}
