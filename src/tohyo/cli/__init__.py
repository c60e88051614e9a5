"""The ``tohyo`` command line for officials, trustees, witnesses and auditors."""
