"""Social clips for the communication team: a quote of the cue lists as a vertical (9:16)
and a square (1:1) film, framed on the speaker's face, with large burnt-in captions inside
the platforms' safe zone, the speaker's name, the logo, and sound at -14 LUFS."""
