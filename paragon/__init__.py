"""paragon's composition root and command line: builds the parts from settings and starts them."""
