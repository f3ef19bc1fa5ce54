// Placeholder: the threshold baseline detector plugin (issue 6).
