# Test step: writes "<item> <content>" to each output's data.txt and "model <item> <content>" to the
# model directory, where <content> is the text of $CONTENT_DIR/<item> (or 'none'), and the metrics
# {"score": <length of content>}. Without MLOPS_ITEM the item is 'single'.
item=${MLOPS_ITEM:-single}
content=$(cat "$CONTENT_DIR/$item" 2>/dev/null || echo none)
for var in $(env | sed -n 's/^\(MLOPS_OUTPUT_[A-Z0-9_]*\)=.*/\1/p'); do
  eval "dir=\$$var"
  echo "$item $content" > "$dir/data.txt"
done
if [ -n "$MLOPS_MODEL_DIR" ]; then echo "model $item $content" > "$MLOPS_MODEL_DIR/model.txt"; fi
echo "{\"score\": ${#content}}" > "$MLOPS_METRICS_FILE"
