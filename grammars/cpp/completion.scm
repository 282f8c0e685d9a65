; Completion facts (server/src/features/completionIndex.ts; convention in grammars/python/completion.scm).
; Comments and strings only for now: words and member pairs come from the code around them.

(comment) @skip.comment
[(string_literal) (raw_string_literal) (char_literal) (system_lib_string)] @skip.string
