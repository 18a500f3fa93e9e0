"""What every stage stands on and that knows nothing of sessions: errors, running tools
(ffmpeg, ffprobe), probing media, YAML and validation, safe file writes, progress, time
codes and delivery presets."""
