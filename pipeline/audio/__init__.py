"""The recordings' sound as numbers: decoded once (chapters joined exactly) and cached, read
by the range, and the session's best sound chosen."""
