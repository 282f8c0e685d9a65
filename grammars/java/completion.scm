; Completion facts (server/src/features/completionIndex.ts; convention in grammars/python/completion.scm).
; Comments and strings only for now: words and member pairs come from the code around them.

[(line_comment) (block_comment)] @skip.comment
[(string_literal) (character_literal)] @skip.string
