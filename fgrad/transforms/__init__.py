"""IR -> IR transforms: reverse mode (`ad`), clean-up (`simplify`), Horner form (`polynomial`) and
the split of a program into the part that runs now and the part that runs later (`partial_eval`)."""
