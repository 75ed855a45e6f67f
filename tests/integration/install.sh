#!/bin/bash
# install.sh CMAKE BUILD - an install tree works wherever it is put:
# "cmake --install BUILD --prefix P" with a P other than the configured
# prefix, then moved again, still runs a traced program with its own
# library and loader, and holds the public header.
. "$(dirname "$0")/lib.sh"

cmake=${1:?usage: install.sh CMAKE BUILD}
build=${2:?usage: install.sh CMAKE BUILD}

sw_need_syswho
"$cmake" --install "$build" --prefix "$SW_TMP/first" \
	>"$SW_TMP/install.out" 2>&1 ||
	sw_fail "cmake --install failed: $(tail -n 3 "$SW_TMP/install.out")"
mv "$SW_TMP/first" "$SW_TMP/moved"
prefix=$SW_TMP/moved

header=$prefix/include/syswho/syswho.h
[[ -f $header ]] || sw_fail "the install has no include/syswho/syswho.h"
# The header alone builds a host that runs without syswho.
printf '#include <syswho/syswho.h>\nint main(void)\n{\n\tsyswho_scope_enter("t");\n\tsyswho_scope_leave();\n\treturn 0;\n}\n' \
	>"$SW_TMP/host.c"
cc -I"$prefix/include" -o "$SW_TMP/host" "$SW_TMP/host.c" \
	2>"$SW_TMP/cc.err" ||
	sw_fail "a program including the installed header does not build:" \
		"$(head -n 3 "$SW_TMP/cc.err")"
"$SW_TMP/host" || sw_fail "a program built with the header fails without syswho"

# Neither the build tree nor the configured install may stand in.
cd "$SW_TMP" || sw_fail "cannot enter $SW_TMP"
rc=0
env -u SYSWHO_LIBRARY "$prefix/bin/syswho" run -o x.db -- /bin/true \
	>run.out 2>run.err || rc=$?
[[ $rc == 0 ]] || sw_fail "the moved install's syswho run exited $rc: $(head -n 3 run.err)"
[[ -f x.db ]] || sw_fail "the moved install's syswho run wrote no profile"
lib=$(sqlite3 x.db "SELECT path FROM module WHERE path LIKE '%/libsyswho.so'")
sw_assert_eq "$lib" "$prefix/lib/syswho/libsyswho.so" \
	"the library the moved install preloaded"
# The loader beside it started /bin/true: the dynamic loader's first
# calls, made before any preloaded library runs, are in the profile.
[[ -n $(sqlite3 x.db "SELECT 1 FROM site s JOIN module m ON m.id = s.owner
	WHERE s.name = 'arch_prctl' AND m.path LIKE '%/ld-linux%'") ]] ||
	sw_fail "the moved install did not start /bin/true through its loader"
echo "pass: a moved install traces with its own library and holds the header"
