; CSS (prettier's layout).
[
  (block)
  (keyframe_block_list)
  (declaration)
  (arguments)
  (parenthesized_value)
] @indent.begin
[ "}" ")" ] @indent.end
[ (string_value) ] @indent.ignore
