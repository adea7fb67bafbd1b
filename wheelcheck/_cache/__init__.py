"""What the on-disk cache keeps besides index pages: advice answers and finished checks."""
