"""Stage synth: emitted resources -> a template (or nested stacks), rendered, linted, written."""
