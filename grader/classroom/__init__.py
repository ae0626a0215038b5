"""Grading a class: everything above one student's grade.

``plan`` decides who is graded (discovery, seeds, content hashes, --resume) before anything
heavy loads; ``shards`` splits a class across CI jobs; ``pool`` grades it with warm processes
forked from one loaded grader; ``records`` writes and reads each student's committed results;
``gradebook``, ``analytics`` and ``class_files`` turn those into the CSV and the summary, and
merge shards; ``gradescope_bundle`` packages the course for Gradescope. ``engines`` reads a
shard from the distributed engine a job runs under (``--shard auto``); ``similarity/`` finds
submissions that share unusual code; ``roster`` and ``lms`` write each LMS's grade import
file; ``late`` and ``submitted`` apply course.yaml's late policy to the times an instructor gives.

A hostile or broken submission costs its own row and nothing else; a grader failure is
recorded as such (never as the student's zero) and retried by ``--resume``.
"""
