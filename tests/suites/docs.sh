#!/bin/sh
# docs.sh BUILD — the notes cite what the labs really do:
#   - every row of docs/myths.md has an id of its own (M1, M2, ...) and names,
#     in its last column, lab steps that exist ("06 · step 9", "03 · steps
#     2, 3", "06 · steps 2–4", several joined by ";") or a planned lab of the
#     curriculum ("07 (planned)");
#   - a lab's narration speaks of a claim of the original notes (which a
#     student does not have) in words of its own and points at its row:
#     "claim M8 (docs/myths.md)"; the row must exist and cite that lab's
#     step; no narration says "the notes say" (the notes' server of lab 11,
#     notes-server.c, is a file the student has);
#   - every step a lab's notes list under "## The steps" ("3. **Title** — ...")
#     is that lab's step 3, with that title, as its own --json run names it;
#   - every "step N" in the last column of a notes table exists in that lab.
# The labs are run once each (--auto --json, side by side) to learn their
# steps.
. "$(dirname "$0")/../lib.sh"
build=${1:?usage: docs.sh BUILD}
root=$(cd "$(dirname "$0")/../.." && pwd)
planned=""                     # the curriculum's labs still to come (DESIGN.md): none

# Every lab's own run (--auto --json), all at once, before the checks.
for lab in "$build"/bin/lab[0-9][0-9]-*; do
    [ -x "$lab" ] || continue
    nn=$(basename "$lab" | cut -c4-5)
    at_once "$scratch" "run.$nn" timeout 120 "$lab" --auto --json
done
all_done

# run NN: lab NN's own run, --auto --json (empty if no such lab).
run() { cat "$scratch/run.$1.out" 2>/dev/null; }

# steps NN: lines "N<tab>title" of lab NN's own run.
steps() {
    [ -f "$scratch/steps.$1" ] ||
        run "$1" | jq -r 'select(.event == "step") | "\(.step)\t\(.title)"' >"$scratch/steps.$1"
    cat "$scratch/steps.$1"
}

# step_exists NN N: lab NN has a step N.
step_exists() {
    steps "$1" | cut -f1 | grep -qx "$2"
}

# numbers "2, 3" / "2–4" / "9": one number a line.
numbers() {
    echo "$1" | sed 's/–/-/g' | tr ',' '\n' | while read -r item; do
        case $item in
            *-*) seq "${item%-*}" "${item#*-}" ;;
            *) echo "$item" ;;
        esac
    done
}

# cites_existing NN LIST: every step of LIST exists in lab NN.
cites_existing() {
    [ -n "$(steps "$1")" ] || return 1
    for n in $(numbers "$2"); do
        step_exists "$1" "$n" || return 1
    done
}

# reference_ok TEXT: a myths row's last column, every part of it valid.
reference_ok() {
    parts=$(echo "$1" | tr ';' '\n')
    [ -n "$parts" ] || return 1
    echo "$parts" | while read -r part; do
        nn=$(echo "$part" | sed -n 's/^\([0-9][0-9]\) (planned)$/\1/p')
        if [ -n "$nn" ]; then
            echo " $planned " | grep -q " $nn " || exit 1
            continue
        fi
        nn=$(echo "$part" | sed -n 's/^\([0-9][0-9]\) · steps\{0,1\} \([0-9, –-]*\)$/\1/p')
        list=$(echo "$part" | sed -n 's/^\([0-9][0-9]\) · steps\{0,1\} \([0-9, –-]*\)$/\2/p')
        [ -n "$nn" ] && cites_existing "$nn" "$list" || exit 1
    done
}

# The myths table rows: id (first cell), claim (second) and lab reference (last).
awk -F'|' '/^\|/ && !/^\|[-| ]*$/ {
    last = $(NF - 1); gsub(/^ +| +$/, "", last)
    id = $2; gsub(/^ +| +$/, "", id)
    claim = $3; gsub(/^ +| +$/, "", claim)
    if (last != "Lab step" && last != "Lab") print id "\t" substr(claim, 1, 50) "\t" last
}' "$root/docs/myths.md" >"$scratch/myths"
check "docs/myths.md has rows" [ -s "$scratch/myths" ]
check "myths: every row has an id M1, M2, ... and no id is used twice" sh -c \
    '! cut -f1 "$1" | grep -vqx "M[1-9][0-9]*" && [ -z "$(cut -f1 "$1" | sort | uniq -d)" ]' \
    - "$scratch/myths"
while IFS='	' read -r id claim ref; do
    check "myths: $id '$claim' cites a step that exists or a planned lab ($ref)" reference_ok "$ref"
done <"$scratch/myths"

# cites_step ID NN N: myths row ID cites lab NN's step N (in a list or a range).
cites_step() {
    awk -F'\t' -v id="$1" '$1 == id { print $3 }' "$scratch/myths" | tr ';' '\n' |
        while read -r part; do
            list=$(echo "$part" | sed -n "s/^$2 · steps\{0,1\} \([0-9, –-]*\)\$/\1/p")
            [ -n "$list" ] && numbers "$list" | grep -qx "$3" && echo cited
        done | grep -q cited
}

# The narration of every lab: what it says (and titles, and claims) of the
# original notes.
for notes in "$root"/docs/labs/[0-9][0-9]-*.md; do
    nn=$(basename "$notes" | cut -c1-2)
    run "$nn" | jq -r 'select(.event == "say" or .event == "step" or .event == "expect")
                       | "\(.step)\t\(.text // .title // .claim)"' >"$scratch/words.$nn"
    check "lab $nn: no narration cites the original notes' words (\"the notes say\")" \
        sh -c '! grep -Eiq "(the|original) notes([^'"'"']|$)" "$1"' - "$scratch/words.$nn"
    grep 'docs/myths.md' "$scratch/words.$nn" >"$scratch/pointers.$nn"
    while IFS='	' read -r step text; do
        for id in $(echo "$text" | grep -oE '\bM[0-9]+\b' | sort -u); do
            check "lab $nn step $step: its pointer to $id in docs/myths.md names a row that cites it" \
                cites_step "$id" "$nn" "$step"
        done
    done <"$scratch/pointers.$nn"
done

for notes in "$root"/docs/labs/[0-9][0-9]-*.md; do
    nn=$(basename "$notes" | cut -c1-2)
    # "N. **Title** — ..." lines of the steps section.
    awk '/^## /{inside = ($0 == "## The steps")} inside && /^ *[0-9]+\. \*\*/' "$notes" |
        sed 's/^ *\([0-9]*\)\. \*\*\([^*]*\)\*\*.*/\1	\2/' >"$scratch/cited.$nn"
    check "notes $nn: list their lab's steps" [ -s "$scratch/cited.$nn" ]
    while IFS='	' read -r n title; do
        check "notes $nn: step $n is \"$title\" in the lab" \
            sh -c 'printf "%s\n" "$1" | grep -qxF "$2"' - "$(steps "$nn")" "$n	$title"
    done <"$scratch/cited.$nn"
    check "notes $nn: the lab has no step the notes leave out" \
        [ "$(steps "$nn" | wc -l)" -eq "$(wc -l <"$scratch/cited.$nn")" ]
    # "step 3" / "steps 2–4" in the last column of the notes' tables.
    awk -F'|' '/^\|/ { last = $(NF - 1); gsub(/^ +| +$/, "", last); print last }' "$notes" |
        sed -n 's/^steps\{0,1\} \([0-9, –-]*\)$/\1/p' >"$scratch/where.$nn"
    while read -r list; do
        check "notes $nn: table cites step(s) $list, which exist" cites_existing "$nn" "$list"
    done <"$scratch/where.$nn"
done
