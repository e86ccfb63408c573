"""Staff tools, never shipped to students: solution notebooks, the student kit, the Gradescope
zip, batch regrading, the class report and the TA rubric."""
