"""Attachments: one stored-file model for every mechanism (clue evidence, complaint evidence, assistance
materials, result and return attachments...), checked from its bytes, downloadable only by the parties."""
