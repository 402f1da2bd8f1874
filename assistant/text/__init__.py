"""Chinese text utilities shared by answer, quiz, gaps and retrieval: lexicon word lists, jieba
segmenter, and the analysis of questions and sentences (shapes, terms, support)."""
