# Test step: writes every regular file under each input to output 'seen' (tree.txt), one line per
# file: "<variable> <path relative to the input>: <content>", inputs and paths sorted.
out="$MLOPS_OUTPUT_SEEN/tree.txt"
: > "$out"
for var in $(env | sed -n 's/^\(MLOPS_INPUT_[A-Z0-9_]*\)=.*/\1/p' | sort); do
  eval "dir=\$$var"
  (cd "$dir" && find . -type f | LC_ALL=C sort | while read -r f; do echo "$var ${f#./}: $(cat "$f")"; done) >> "$out"
done
