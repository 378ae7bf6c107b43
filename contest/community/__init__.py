"""Community: comments, follows, profiles and notifications."""
