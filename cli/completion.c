/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * completion.c - the bash and zsh completion scripts, from the command docs.
 *
 * `spindle --completion bash|zsh` prints a script built from the same
 * tables as --help and the man page: commands[], each command's options
 * (cli_command_opts) and its synopsis.  `make man` writes them to
 * completion/spindle and completion/_spindle; a test fails if the
 * committed scripts differ, so completion cannot drift from the help.
 *
 * What an option's value or a positional argument completes to is read
 * from its name in the doc (struct cli_opt's arg, the words of the
 * synopsis):
 *   a|b|c (lower case)  those words          DRIVE      drives, stdio:
 *   NAME.ext            *.ext files first    DIR        directories
 *   IMAGE, SOURCE, ...  see arg_names[]      other      nothing
 * Files "first": files of those types and directories are offered; when
 * none matches what was typed, any file is.
 */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include "cli/cli.h"

enum comp_kind {
	COMP_NONE,      /* a value with no fixed set: a number, a size, a name */
	COMP_WORDS,     /* one of list's words */
	COMP_DRIVE,     /* a drive address */
	COMP_FILES,     /* a file; list: extensions to offer first ("" any) */
	COMP_DIRS,      /* a directory */
};

struct comp_arg {
	enum comp_kind kind;
	char list[128]; /* space-separated words or extensions */
};

/* Argument names that are neither a|b|c nor NAME.ext. */
static const struct {
	const char *name;
	enum comp_kind kind;
	const char *exts;
} arg_names[] = {
	{ "DRIVE", COMP_DRIVE, "" },
	{ "DIR", COMP_DIRS, "" },
	{ "IMAGE", COMP_FILES, "iso img udf cdr cue toc nrg mds mdx ccd cdi chd dmg daa gbi isz" },
	{ "SOURCE", COMP_FILES, "iso img udf cue toc nrg mds mdx ccd cdi" },
	{ "MAPFILE", COMP_FILES, "map" },
	{ "SRC", COMP_FILES, "" },
	{ "FILE", COMP_FILES, "" },
	{ "PATH", COMP_FILES, "" },
	{ "OUT", COMP_FILES, "" },
	{ "KEYRING", COMP_FILES, "gpg asc key" },
};

static void list_add(char *list, size_t size, const char *word, size_t len)
{
	size_t l = strlen(list);
	char w[64];

	if (len >= sizeof(w))
		return;
	memcpy(w, word, len);
	w[len] = '\0';
	/* no duplicates: " w " in " list " */
	for (const char *p = list; (p = strstr(p, w)); p += len)
		if ((p == list || p[-1] == ' ') && (p[len] == ' ' || !p[len]))
			return;
	if (l + len + 2 > size)
		return;
	snprintf(list + l, size - l, "%s%s", l ? " " : "", w);
}

/* What the argument named name (an option's arg or a synopsis word)
 * completes to. */
static void classify(const char *name, size_t len, struct comp_arg *a)
{
	const char *dot = memchr(name, '.', len);
	bool words = memchr(name, '|', len) != NULL;

	a->kind = COMP_NONE;
	a->list[0] = '\0';
	for (size_t i = 0; i < len && words; i++)
		if (!islower((unsigned char)name[i]) && !isdigit((unsigned char)name[i]) &&
		    name[i] != '|' && name[i] != '-')
			words = false;
	if (words) {
		a->kind = COMP_WORDS;
		for (size_t i = 0, w = 0; i <= len; i++)
			if (i == len || name[i] == '|') {
				list_add(a->list, sizeof(a->list), name + w, i - w);
				w = i + 1;
			}
		return;
	}
	if (dot && dot + 1 < name + len) {
		size_t el = (size_t)(name + len - dot - 1);
		bool ext = true;

		for (size_t i = 0; i < el; i++)
			if (!islower((unsigned char)dot[1 + i]) && !isdigit((unsigned char)dot[1 + i]))
				ext = false;
		if (ext) {
			a->kind = COMP_FILES;
			list_add(a->list, sizeof(a->list), dot + 1, el);
			return;
		}
	}
	for (size_t i = 0; i < sizeof(arg_names) / sizeof(arg_names[0]); i++)
		if (strlen(arg_names[i].name) == len && !memcmp(arg_names[i].name, name, len)) {
			a->kind = arg_names[i].kind;
			snprintf(a->list, sizeof(a->list), "%s", arg_names[i].exts);
			return;
		}
}

/* Add positional argument b to a: files of both types first, any file
 * after; directories and files make files. */
static void merge(struct comp_arg *a, const struct comp_arg *b)
{
	if (b->kind != COMP_FILES && b->kind != COMP_DIRS)
		return;
	if (a->kind == COMP_NONE || (a->kind == COMP_DIRS && b->kind == COMP_FILES)) {
		struct comp_arg keep = *a;

		*a = *b;
		if (keep.kind == COMP_DIRS)
			return;
	}
	if (b->kind == COMP_FILES && b->list[0]) {
		char copy[sizeof(b->list)];
		char *save = NULL;

		snprintf(copy, sizeof(copy), "%s", b->list);
		for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
			list_add(a->list, sizeof(a->list), w, strlen(w));
	}
}

static const struct cli_opt *find_opt(const struct cli_opt **opts, size_t n, const char *s,
				      size_t len)
{
	for (size_t i = 0; i < n; i++) {
		const struct cli_opt *o = opts[i];

		if (len > 2 && s[1] == '-' && strlen(o->name) == len - 2 &&
		    !memcmp(o->name, s + 2, len - 2))
			return o;
		if (len == 2 && s[1] == o->key)
			return o;
	}
	return NULL;
}

/* What the positional arguments of c complete to, from its synopsis:
 * every upper-case word that is not an option's value. */
static void positional(const struct cli_command *c, const struct cli_opt **opts, size_t n,
		       struct comp_arg *pos)
{
	char syn[512];
	char *save = NULL;
	bool value_next = false;

	pos->kind = COMP_NONE;
	pos->list[0] = '\0';
	snprintf(syn, sizeof(syn), "%s", c->doc->synopsis);
	for (char *p = syn; *p; p++)
		if (strchr("[]()", *p))
			*p = ' ';
	for (char *t = strtok_r(syn, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		bool was_value = value_next;

		value_next = false;
		for (char *part = t; *part; ) {
			size_t len = strcspn(part, "|");
			char *next = part + len + (part[len] == '|');

			while (len >= 3 && !strncmp(part + len - 3, "...", 3))
				len -= 3;
			if (len > 1 && part[0] == '-') {
				const struct cli_opt *o = find_opt(opts, n, part, len);

				value_next = o && o->arg;
			} else if (len && isupper((unsigned char)part[0]) && !was_value &&
				   strncmp(part, "OPTIONS", len)) {
				struct comp_arg a;

				classify(part, len, &a);
				merge(pos, &a);
			}
			part = next;
		}
	}
}

/* ---- bash ---------------------------------------------------------------- */

static const char bash_head[] =
	"# bash completion for spindle                            -*- shell-script -*-\n"
	"# Generated by 'spindle --completion bash' from cli/*.c; do not edit.\n"
	"\n"
	"# _spindle_drives: optical drives, removable block devices, and stdio:\n"
	"# for a virtual drive (_SPINDLE_DEV and _SPINDLE_SYSBLOCK: for tests)\n"
	"_spindle_drives()\n"
	"{\n"
	"\tlocal dev=${_SPINDLE_DEV:-/dev} sys=${_SPINDLE_SYSBLOCK:-/sys/block} d r\n"
	"\tfor d in \"$dev\"/sr[0-9]*; do\n"
	"\t\t[[ -e $d ]] && printf '%s\\n' \"$d\"\n"
	"\tdone\n"
	"\tfor d in \"$sys\"/*; do\n"
	"\t\t[[ ${d##*/} != sr[0-9]* && -r $d/removable ]] || continue\n"
	"\t\tread -r r < \"$d/removable\"\n"
	"\t\t[[ $r == 1 && -e $dev/${d##*/} ]] && printf '%s\\n' \"$dev/${d##*/}\"\n"
	"\tdone\n"
	"\tprintf '%s\\n' stdio:\n"
	"}\n"
	"\n"
	"# _spindle_files EXTS: for $cur, files named *.EXT for one of EXTS (any\n"
	"# case) and directories; any file when no such file matches\n"
	"_spindle_files()\n"
	"{\n"
	"\tlocal f e found= IFS=$'\\n'\n"
	"\tcompopt -o filenames 2> /dev/null\n"
	"\tif [[ -n $1 ]]; then\n"
	"\t\tfor f in $(compgen -f -- \"$cur\"); do\n"
	"\t\t\te=${f##*.}\n"
	"\t\t\tif [[ -d $f ]]; then\n"
	"\t\t\t\tCOMPREPLY+=( \"$f\" )\n"
	"\t\t\telif [[ $f == *.* && \" $1 \" == *\" ${e,,} \"* ]]; then\n"
	"\t\t\t\tCOMPREPLY+=( \"$f\" )\n"
	"\t\t\t\tfound=1\n"
	"\t\t\tfi\n"
	"\t\tdone\n"
	"\t\t[[ -n $found ]] && return\n"
	"\tfi\n"
	"\tCOMPREPLY=( $(compgen -f -- \"$cur\") )\n"
	"}\n"
	"\n"
	"_spindle_dirs()\n"
	"{\n"
	"\tlocal IFS=$'\\n'\n"
	"\tcompopt -o filenames 2> /dev/null\n"
	"\tCOMPREPLY=( $(compgen -d -- \"$cur\") )\n"
	"}\n"
	"\n"
	"# _spindle_drive: a drive for $cur; after stdio:, a file\n"
	"_spindle_drive()\n"
	"{\n"
	"\tlocal IFS=$'\\n' f\n"
	"\tif [[ -n $stdio ]]; then\n"
	"\t\t_spindle_files ''\n"
	"\telif [[ $cur == stdio:* ]]; then\n"
	"\t\t# ':' is not a word break here: the word holds the prefix\n"
	"\t\tcur=${cur#stdio:}\n"
	"\t\t_spindle_files ''\n"
	"\t\tfor f in \"${!COMPREPLY[@]}\"; do\n"
	"\t\t\tCOMPREPLY[f]=stdio:${COMPREPLY[f]}\n"
	"\t\tdone\n"
	"\telse\n"
	"\t\tCOMPREPLY=( $(compgen -W \"$(_spindle_drives)\" -- \"$cur\") )\n"
	"\t\t[[ ${COMPREPLY[*]} == stdio: ]] && compopt -o nospace 2> /dev/null\n"
	"\tfi\n"
	"}\n"
	"\n"
	"_spindle()\n"
	"{\n"
	"\tlocal cur prev stdio= opts pos exts i=$COMP_CWORD\n"
	"\tCOMPREPLY=()\n"
	"\tcur=${COMP_WORDS[i]}\n"
	"\tprev=${COMP_WORDS[i-1]}\n"
	"\t# --opt=VALUE and stdio:PATH reach us split at = and :\n"
	"\tif [[ $cur == [=:] ]]; then\n"
	"\t\t[[ $cur == : && $prev == stdio ]] && stdio=1 && prev=${COMP_WORDS[i-2]} && ((i--))\n"
	"\t\tcur=\n"
	"\telif [[ $prev == : && ${COMP_WORDS[i-2]} == stdio ]]; then\n"
	"\t\tstdio=1\n"
	"\t\tprev=${COMP_WORDS[i-3]}\n"
	"\t\t((i -= 2))\n"
	"\tfi\n"
	"\t[[ $prev == = ]] && prev=${COMP_WORDS[i-2]}\n";

static const char bash_tail[] =
	"\t*)\n"
	"\t\treturn 0 ;;\n"
	"\tesac\n"
	"\tif [[ $cur == -* || -z $pos ]]; then\n"
	"\t\tCOMPREPLY=( $(compgen -W \"$opts\" -- \"$cur\") )\n"
	"\telif [[ $pos == dirs ]]; then\n"
	"\t\t_spindle_dirs\n"
	"\telse\n"
	"\t\t_spindle_files \"$exts\"\n"
	"\tfi\n"
	"\treturn 0\n"
	"} &&\n"
	"complete -F _spindle spindle\n";

/* the shell commands that complete a value of kind a, setting COMPREPLY */
static void bash_action(FILE *f, const struct comp_arg *a)
{
	switch (a->kind) {
	case COMP_WORDS:
		fprintf(f, "COMPREPLY=( $(compgen -W '%s' -- \"$cur\") )", a->list);
		break;
	case COMP_DRIVE:
		fputs("_spindle_drive", f);
		break;
	case COMP_FILES:
		fprintf(f, "_spindle_files '%s'", a->list);
		break;
	case COMP_DIRS:
		fputs("_spindle_dirs", f);
		break;
	case COMP_NONE:
		fputs(":", f);
		break;
	}
}

static void opt_names(FILE *f, const struct cli_opt *o, const char *sep)
{
	if (o->key > 0 && o->key < 128)
		fprintf(f, "-%c%s", o->key, sep);
	fprintf(f, "--%s", o->name);
}

static void print_bash(FILE *f)
{
	fputs(bash_head, f);
	fputs("\tif ((COMP_CWORD == 1)); then\n"
	      "\t\tif [[ $cur == -* ]]; then\n"
	      "\t\t\tCOMPREPLY=( $(compgen -W '--help --version' -- \"$cur\") )\n"
	      "\t\telse\n"
	      "\t\t\tCOMPREPLY=( $(compgen -W '", f);
	for (const struct cli_command *c = commands; c->name; c++)
		fprintf(f, "%s ", c->name);
	fputs("help' -- \"$cur\") )\n"
	      "\t\tfi\n"
	      "\t\treturn 0\n"
	      "\tfi\n"
	      "\tcase ${COMP_WORDS[1]} in\n"
	      "\thelp|--help|-h)\n"
	      "\t\t((COMP_CWORD == 2)) && COMPREPLY=( $(compgen -W '", f);
	for (const struct cli_command *c = commands; c->name; c++)
		fprintf(f, "%s%s", c == commands ? "" : " ", c->name);
	fputs("' -- \"$cur\") )\n"
	      "\t\treturn 0 ;;\n", f);
	for (const struct cli_command *c = commands; c->name; c++) {
		const struct cli_opt *opts[CLI_MAX_OPTS];
		size_t n = cli_command_opts(c, opts, CLI_MAX_OPTS);
		struct comp_arg pos;

		fprintf(f, "\t%s)\n\t\tcase $prev in\n", c->name);
		for (size_t i = 0; i < n; i++) {
			struct comp_arg a;

			if (!opts[i]->arg)
				continue;
			classify(opts[i]->arg, strlen(opts[i]->arg), &a);
			fputs("\t\t", f);
			opt_names(f, opts[i], "|");
			fputs(") ", f);
			bash_action(f, &a);
			fputs("; return 0 ;;\n", f);
		}
		fputs("\t\tesac\n\t\topts='", f);
		for (size_t i = 0; i < n; i++) {
			fputs(i ? " " : "", f);
			opt_names(f, opts[i], " ");
		}
		positional(c, opts, n, &pos);
		fprintf(f, "'\n\t\tpos='%s'\n\t\texts='%s'\n\t\t;;\n",
			pos.kind == COMP_NONE ? "" : pos.kind == COMP_DIRS ? "dirs" : "files",
			pos.list);
	}
	fputs(bash_tail, f);
}

/* ---- zsh ----------------------------------------------------------------- */

static const char zsh_head[] =
	"#compdef spindle\n"
	"# zsh completion for spindle.\n"
	"# Generated by 'spindle --completion zsh' from cli/*.c; do not edit.\n"
	"\n"
	"# a drive: optical drives, removable block devices, stdio:FILE\n"
	"# (_SPINDLE_DEV and _SPINDLE_SYSBLOCK: for tests)\n"
	"_spindle_drive() {\n"
	"  local dev=${_SPINDLE_DEV:-/dev} sys=${_SPINDLE_SYSBLOCK:-/sys/block} d r\n"
	"  local -a drives\n"
	"  if compset -P 'stdio:'; then\n"
	"    _files\n"
	"    return\n"
	"  fi\n"
	"  drives=( $dev/sr[0-9]*(N) )\n"
	"  for d in $sys/*(N); do\n"
	"    [[ ${d:t} == sr[0-9]* || ! -r $d/removable ]] && continue\n"
	"    r=$(<$d/removable)\n"
	"    [[ $r == 1 && -e $dev/${d:t} ]] && drives+=( $dev/${d:t} )\n"
	"  done\n"
	"  _alternative 'drives:drive:compadd -a drives' \\\n"
	"    \"virtual:virtual drive:compadd -S '' stdio:\"\n"
	"}\n"
	"\n"
	"# _spindle_files [COMPADD-OPTIONS] EXTS: files *.EXT for one of the\n"
	"# words of EXTS (any case) and directories first, then any file\n"
	"_spindle_files() {\n"
	"  local exts=${@[-1]}\n"
	"  if [[ -n $exts ]]; then\n"
	"    _files \"${@[1,-2]}\" -g \"*.(#i)(${exts// /|})(-.)\"\n"
	"  else\n"
	"    _files \"${@[1,-2]}\"\n"
	"  fi\n"
	"}\n";

/* s, for inside '...' in a zsh spec: quotes closed and reopened, the
 * characters in special backslashed, cut at the first "; " */
static void zsh_text(FILE *f, const char *s, const char *special)
{
	for (; *s; s++) {
		if (s[0] == ';' && s[1] == ' ')
			break;
		if (*s == '\'')
			fputs("'\\''", f);
		else if (strchr(special, *s))
			fprintf(f, "\\%c", *s);
		else
			fputc(*s, f);
	}
}

static void zsh_action(FILE *f, const struct comp_arg *a)
{
	switch (a->kind) {
	case COMP_WORDS:
		fprintf(f, "(%s)", a->list);
		break;
	case COMP_DRIVE:
		fputs("_spindle_drive", f);
		break;
	case COMP_FILES:
		fprintf(f, "_spindle_files \"%s\"", a->list);
		break;
	case COMP_DIRS:
		fputs("_files -/", f);
		break;
	case COMP_NONE:
		fputs(" ", f);
		break;
	}
}

static void zsh_opt(FILE *f, const struct cli_command *c, const struct cli_opt *o)
{
	bool many = (o->key == 'd' && (c->flags & CMD_MULTI_DRIVE)) ||
		    strstr(o->help, "repeatable");
	bool has_short = o->key > 0 && o->key < 128;

	fputs("    ", f);
	if (has_short && many)
		fputs("'*'", f);
	else if (has_short)
		fprintf(f, "'(-%c --%s)'", o->key, o->name);
	if (has_short)
		fprintf(f, "{-%c%s,--%s%s}'", o->key, o->arg ? "+" : "", o->name,
			o->arg ? "=" : "");
	else
		fprintf(f, "'%s--%s%s", many ? "*" : "", o->name, o->arg ? "=" : "");
	fputc('[', f);
	zsh_text(f, o->help, "[]");
	fputc(']', f);
	if (o->arg) {
		struct comp_arg a;

		classify(o->arg, strlen(o->arg), &a);
		fputc(':', f);
		zsh_text(f, o->arg, ":");
		fputc(':', f);
		zsh_action(f, &a);
	}
	fputs("' \\\n", f);
}

static void print_zsh(FILE *f)
{
	fputs(zsh_head, f);
	for (const struct cli_command *c = commands; c->name; c++) {
		const struct cli_opt *opts[CLI_MAX_OPTS];
		size_t n = cli_command_opts(c, opts, CLI_MAX_OPTS);
		struct comp_arg pos;

		fprintf(f, "\n_spindle_cmd_%s() {\n  _arguments -s -S \\\n", c->name);
		for (size_t i = 0; i < n; i++)
			zsh_opt(f, c, opts[i]);
		positional(c, opts, n, &pos);
		if (pos.kind != COMP_NONE) {
			fputs("    '*:file:", f);
			zsh_action(f, &pos);
			fputs("' \\\n", f);
		}
		fputs("    && return 0\n  return 1\n}\n", f);
	}
	fputs("\n_spindle() {\n"
	      "  local curcontext=$curcontext state line ret=1\n"
	      "  local -a cmds\n"
	      "  _arguments -C \\\n"
	      "    '(- *)'{-h,--help}'[show the help]' \\\n"
	      "    '(- *)'{-V,--version}'[show the version]' \\\n"
	      "    '1:command:->command' \\\n"
	      "    '*::argument:->argument' && ret=0\n"
	      "  case $state in\n"
	      "  command)\n"
	      "    cmds=(\n", f);
	for (const struct cli_command *c = commands; c->name; c++) {
		fprintf(f, "      '%s:", c->name);
		zsh_text(f, c->doc->summary, ":");
		fputs("'\n", f);
	}
	fputs("      'help:show the help of a command'\n"
	      "    )\n"
	      "    _describe -t commands 'spindle command' cmds && ret=0\n"
	      "    ;;\n"
	      "  argument)\n"
	      "    curcontext=${curcontext%:*:*}:spindle-$words[1]:\n"
	      "    case $words[1] in\n"
	      "    help)\n"
	      "      _arguments '1:command:(", f);
	for (const struct cli_command *c = commands; c->name; c++)
		fprintf(f, "%s%s", c == commands ? "" : " ", c->name);
	fputs(")' && ret=0 ;;\n", f);
	for (const struct cli_command *c = commands; c->name; c++)
		fprintf(f, "    %s)\n      _spindle_cmd_%s && ret=0 ;;\n", c->name, c->name);
	fputs("    esac\n"
	      "    ;;\n"
	      "  esac\n"
	      "  return ret\n"
	      "}\n"
	      "\n"
	      "_spindle \"$@\"\n", f);
}

int cli_print_completion(FILE *f, const char *shell)
{
	if (shell && !strcmp(shell, "bash"))
		print_bash(f);
	else if (shell && !strcmp(shell, "zsh"))
		print_zsh(f);
	else
		return -1;
	return 0;
}
